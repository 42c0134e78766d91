import { graphql } from './generated';

// Client certificate (mutual TLS): the key is sent by setClientCertificate only, never read back.
export const ClientCertificateFieldsFragment = graphql(`
  fragment ClientCertificateFields on ClientCertificate {
    subject
    issuer
    fingerprint
    notBefore
    notAfter
    expiresSoon
    expired
    certificates
    caCertificates
    setAt
  }
`);

export const SiteClientCertificateQuery = graphql(`
  query SiteClientCertificate($id: ID!) {
    site(id: $id) {
      id
      clientCertificate {
        ...ClientCertificateFields
      }
    }
  }
`);

export const SetClientCertificateMutation = graphql(`
  mutation SetClientCertificate($siteId: ID!, $clientCertificate: ClientCertificateInput!) {
    setClientCertificate(siteId: $siteId, clientCertificate: $clientCertificate) {
      id
      updatedAt
      clientCertificate {
        ...ClientCertificateFields
      }
    }
  }
`);

export const RemoveClientCertificateMutation = graphql(`
  mutation RemoveClientCertificate($siteId: ID!) {
    removeClientCertificate(siteId: $siteId) {
      id
      updatedAt
      clientCertificate {
        ...ClientCertificateFields
      }
    }
  }
`);
